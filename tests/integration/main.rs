//! Tests of the real `recert` binary, all in one test binary.

mod import;
mod support;
