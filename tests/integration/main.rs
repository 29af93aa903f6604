//! Tests of the real `recert` binary, all in one test binary.

mod campaign;
mod concurrency;
mod crash;
mod fuzz_import;
mod hostile;
mod import;
mod support;
mod upgrade;
