import ArgumentParser
import MosaicStore

extension Mosaic {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an empty store (file mode 0600).")

        @OptionGroup var store: StoreOptions

        func run() throws {
            _ = try Store.create(at: store.path)
            print("Created store \(store.path). Next: mosaic registry import REGISTRY.csv")
        }
    }
}
