//! Test support shared by the core's tests.

pub mod moto;
