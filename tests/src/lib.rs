//! Helpers shared by the end-to-end tests (building fixtures, driving apps).
