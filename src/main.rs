//! The `hpsearch` binary: everything lives in the library's `cli` module.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
