//! Reverse-proxy sign-in.
