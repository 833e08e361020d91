//! Test support shared by the core's tests and, with the `testing`
//! feature, by other crates' tests.

pub mod fault;
pub mod moto;
pub mod prop;
