import ArgumentParser
import Foundation
import MosaicCounts
import MosaicFiles
import MosaicSeal

extension Mosaic {
    struct Seal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a counts file, sign it and encrypt it to the authority (at the school).",
            discussion: "Every package has the same size; the suggested file name is random, so neither reveals the school or its counts.")

        @Argument(help: "The counts file (CSV or JSON).") var file: String
        @Option(help: "The school's credential file.") var credentials: String
        @Option(help: "The package to write (default: a random name in the current folder).") var out: String?
        @OptionGroup var words: LanguageOption

        func run() throws {
            let creds = try Credentials.read(from: credentials)
            let path = out ?? "mosaic-\(UUID().uuidString.prefix(8).lowercased()).mpkg"
            try AtomicFile.check([path], forbidden: [credentials, file])
            guard let data = FileManager.default.contents(atPath: file) else { throw Refusal("\(file): cannot be read") }
            let package: Data
            do { package = try SealedPackage.seal(Array(data), file: file, credentials: creds) } catch let e as IntakeError {
                throw Refusal(e.description(language: words.lang))
            }
            try AtomicFile.write(package, to: path)
            print(words("sealed", ["file": file, "out": path, "bytes": "\(package.count)"]))
        }
    }
}
