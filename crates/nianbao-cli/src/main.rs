//! `nianbao`: converts archives of 政府信息公开工作年度报告 into one dataset.
//!
//! A thin binary: adapters read formats, `nianbao-template` maps documents onto the template,
//! this crate walks inputs, runs the conversions in parallel and writes the outputs.

use clap::{Parser, Subcommand};
use nianbao_cli::{convert, inspect};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Convert files, folders and archives into DIR/reports.jsonl and DIR/reports.csv.
    Convert(convert::Args),
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
    let cli = Cli::parse();
    match cli.command {
        Command::Convert(args) => convert::run(args),
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
