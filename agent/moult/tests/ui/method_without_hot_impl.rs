struct S;

impl S {
    #[moult::hot]
    fn get(&self) -> u32 {
        1
    }
}

fn main() {}
