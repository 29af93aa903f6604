//! Tests of the real `recert` binary, all in one test binary.

mod fuzz_import;
mod import;
mod support;
