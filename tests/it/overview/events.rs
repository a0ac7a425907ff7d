//! `GET /events`: see the tests below.
