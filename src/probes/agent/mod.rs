//! The probe: `dutyduck probe --server URL`. It fetches its assignments (a long poll), runs
//! each check on the server's grid, and sends the results, keeping them in a bounded buffer
//! on disk while the server cannot be reached.
