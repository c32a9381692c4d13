//! `nianbao`: converts archives of 政府信息公开工作年度报告 into one dataset.
//!
//! A thin binary: adapters read formats, `nianbao-template` maps documents onto the template,
//! this crate walks inputs, runs the conversions in parallel and writes the outputs.

use clap::{Parser, Subcommand};
use nianbao_cli::{convert, inspect};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: see the README's design notes.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "nianbao",
    version,
    about = "Turns 政府信息公开工作年度报告 (PDF, DOCX, XLSX, HTML, text, archives) into one validated dataset"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convert files, folders and archives into DIR/reports.jsonl and DIR/reports.csv, with
    /// DIR/audit.html, reports.xlsx, reports.sqlite and keys.csv written from them.
    #[command(
        after_help = "Exit codes: 0 every document converted; 1 finished, some documents \
        failed (see their records); 2 usage error (bad arguments, an output folder holding \
        results without --overwrite or --resume, --out naming a file, a folder another run \
        is writing to); 3 an I/O failure outside the documents (a full or read-only disk, \
        no permission): results already in the folder are kept."
    )]
    Convert(convert::Args),
    /// Write DIR/audit.html, reports.xlsx, reports.sqlite and keys.csv again from
    /// DIR/reports.jsonl (after records were concatenated from several shards, for example).
    Outputs {
        dir: PathBuf,
        /// Write only these (comma-separated), leaving the others as they are
        #[arg(long, value_delimiter = ',', value_parser = [
            nianbao_outputs::AUDIT,
            nianbao_outputs::WORKBOOK,
            nianbao_outputs::DATABASE,
            nianbao_outputs::CODEBOOK,
        ])]
        only: Vec<String>,
    },
    /// Print the JSON Schema of one output record.
    Schema,
    /// Print the document model of one file and where each table cell was mapped.
    Inspect {
        file: PathBuf,
        /// Print the document model as JSON instead of a readable listing.
        #[arg(long)]
        json: bool,
    },
    /// List the registered format adapters.
    Formats,
}

fn main() -> ExitCode {
    #[cfg(not(target_os = "linux"))]
    tune_allocator();
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Convert(_)) {
        die_on_closed_pipe();
    }
    match cli.command {
        Command::Convert(args) => convert::run(args),
        Command::Outputs { dir, only } => match if only.is_empty() {
            nianbao_outputs::write_all(&dir)
        } else {
            let names: Vec<&str> = only.iter().map(String::as_str).collect();
            nianbao_outputs::write_only(&dir, &names)
        } {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!(
                    "nianbao: cannot write the outputs in {}: {e}",
                    dir.display()
                );
                ExitCode::from(convert::EXIT_IO)
            }
        },
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&nianbao_template::schema::json_schema()).unwrap()
            );
            ExitCode::SUCCESS
        }
        Command::Inspect { file, json } => inspect::run(&file, json),
        Command::Formats => {
            println!("{:<8} {:<9} {:>8}  reads", "name", "version", "priority");
            for a in nianbao_core::adapters() {
                println!(
                    "{:<8} {:<9} {:>8}  {}",
                    a.name(),
                    a.version(),
                    a.priority(),
                    a.describe()
                );
            }
            ExitCode::SUCCESS
        }
    }
}

/// The commands that print (`schema`, `inspect`, `formats`) end quietly when their reader goes
/// away (`nianbao schema | head`), as `cat` does, instead of panicking on the closed pipe: the
/// Rust runtime ignores SIGPIPE, so it is given back its default action. `convert` keeps it
/// ignored: a worker that dies must not take the run down through its pipe.
fn die_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Positions in mimalloc 3's `mi_option_e` (mimalloc.h: the enum keeps deprecated entries so
/// that positions stay fixed within a major version); libmimalloc-sys names only some of them.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const MI_OPTION_ARENA_RESERVE: libmimalloc_sys::mi_option_t = 23;
/// Address space reserved at a time, in KiB (mimalloc's default is 1 GiB).
const ARENA_RESERVE_KIB: std::ffi::c_long = 32 << 10;
/// How long freed memory stays committed before it goes back, in ms (mimalloc's default is
/// 1000). At 0, the buffers of every PDF (its bytes, inflated streams) were given back and
/// faulted in again by the next one: 67,000 page faults for 800 PDFs in one worker. 10 ms
/// leaves 28,000 and takes a tenth off the worker's CPU time; 100 ms left 8,000 and took a
/// fifth, but the process tree's peak then rose from 36 to about 60 MiB and grew with the
/// length of the run (more chances for large documents to meet within the delay), against
/// about 50 MiB at 10 ms, the same for 1,000 and 10,000 documents.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// mimalloc keeps freed memory for a second and commits whole arenas up front: a run's
/// resident memory was three times glibc's. Purging after 10 ms and committing on demand
/// keep it near glibc's. It also reserves address space a GiB at
/// a time, which a worker's `--max-memory` (an address-space limit) counts: 32 MiB steps keep
/// a worker's address space near glibc's. The options must be set before the first
/// allocation makes an arena, and the Rust runtime allocates before `main`: so on Linux this
/// runs as a constructor (as the `inventory` registrations do), elsewhere first thing in
/// `main`.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;

extern "C" fn tune_allocator() {
    // SAFETY: mi_option_set only stores the value; mimalloc reads it when it next commits or
    // gives back memory. Nothing here allocates.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_RESERVE, ARENA_RESERVE_KIB);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocator_options_are_set_before_main() {
        // SAFETY: reading the version or an option has no side effect.
        let (version, delay, eager, reserve) = unsafe {
            (
                libmimalloc_sys::mi_version(),
                libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY),
                libmimalloc_sys::mi_option_get(MI_OPTION_ARENA_EAGER_COMMIT),
                libmimalloc_sys::mi_option_get(MI_OPTION_ARENA_RESERVE),
            )
        };
        // The positions above are those of mimalloc 3.
        assert_eq!(version / 10000, 3, "mimalloc version {version}");
        // Their defaults are 1000, 2 and 1 GiB: the constructor ran (the test harness has it
        // too).
        assert_eq!(
            (delay, eager, reserve),
            (PURGE_DELAY_MS, 0, ARENA_RESERVE_KIB)
        );
    }
}
