//! Tests of the real `recert` binary, all in one test binary.

mod campaign;
mod campaign_decide;
mod campaign_sample;
mod campaign_scope;
mod concurrency;
mod correlation;
mod crash;
mod decide_faults;
mod demo;
mod evidence;
mod evidence_faults;
mod formats;
mod fuzz_import;
mod fuzz_verify;
mod hostile;
mod hostile_review;
mod import;
mod support;
mod tui_tmux;
mod upgrade;
mod verify_workspace;
