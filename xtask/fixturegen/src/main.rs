fn main() { eprintln!("fixturegen: nothing yet"); }
