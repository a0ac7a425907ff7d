//! `serve` flags for web push (see `notify::push`).

/// Flattened into `serve` boxed: inline, it would make that variant dwarf the other commands
/// (clippy's `large_enum_variant`).
#[derive(clap::Args)]
pub struct PushArgs {
    /// A push service besides the browsers' own (FCM, Mozilla, Apple, Windows) that web push
    /// may send to, e.g. a self-hosted one (repeat the flag or separate with commas). Only
    /// these are reached: subscriptions elsewhere are refused. http only on a loopback host.
    #[arg(long = "push-service", env = "DUTYDUCK_PUSH_SERVICE", value_delimiter = ',', value_name = "HOST[:PORT]",
          value_parser = crate::notify::push::services::parse)]
    pub push_services: Vec<String>,
    /// The contact in web push's VAPID tokens (mailto:you@example.com or an https URL);
    /// default: an https --public-url, else the --smtp-from address. Apple's push service
    /// (Safari, iOS) refuses pushes without one.
    #[arg(long, env = "DUTYDUCK_VAPID_SUBJECT", value_parser = crate::notify::push::vapid::parse_subject)]
    pub vapid_subject: Option<String>,
}

impl PushArgs {
    /// `config` with these options.
    pub fn config(self, config: crate::server::Config) -> crate::server::Config {
        crate::server::Config {
            push_services: self.push_services,
            vapid_subject: self.vapid_subject,
            ..config
        }
    }
}
