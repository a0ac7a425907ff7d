fn main() -> std::process::ExitCode {
    dutyduck::cli::main()
}
