import ArgumentParser
import Foundation
import MosaicIntake
import MosaicStore

extension Mosaic {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check counts files without storing them.",
            discussion:
                "Registry checks (known, open school; counts within enrolment) run when a store is named with --store or MOSAIC_STORE.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Counts files (CSV or JSON), or folders of them.") var files: [String]

        func run() throws {
            let paths = expandCountsFiles(files)
            guard !paths.isEmpty else { throw ValidationError("no counts files found") }
            let check = store.isGiven ? try RegistryCheck(store: Store.open(at: store.path)) : nil
            let results = Ingestor.validate(paths, check: check, now: Date())
            var bad = 0
            for (path, r) in zip(paths, results) {
                switch r {
                case .success: if paths.count <= 20 { print("\(path): valid") }
                case .failure(let e):
                    bad += 1
                    print(e.localizedDescription)
                }
            }
            print(
                "\(paths.count - bad) of \(paths.count) file\(paths.count == 1 ? "" : "s") valid\(check == nil ? " (no registry checks: no store given)" : "")."
            )
            if bad > 0 { throw ExitCode(1) }
        }
    }
}
