#[moult::hot]
fn identity<T>(x: T) -> T {
    x
}

fn main() {}
