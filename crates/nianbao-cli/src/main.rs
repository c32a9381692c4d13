include!(concat!(env!("OUT_DIR"), "/adapters.rs"));

fn main() {
    for a in nianbao_core::adapters() {
        println!("{}", a.name());
    }
}
