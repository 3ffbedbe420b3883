struct W<T>(T);

#[moult::hot_impl]
impl<T> W<T> {
    #[hot]
    fn get(&self) -> u32 {
        1
    }
}

fn main() {}
