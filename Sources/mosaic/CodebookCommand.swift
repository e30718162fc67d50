import ArgumentParser
import Foundation
import MosaicCodebook

extension Mosaic {
    struct CodebookCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "codebook", abstract: "Print the codebook: what schools count.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(help: "text for people, json for programs.") var format: Format = .text
        @Option(name: .customLong("codebook-version"), help: "The codebook version.") var version: Int = Codebook.latestVersion
        @Option(help: "Label language: en or es.") var lang: String = "en"

        func run() throws {
            let codebook = try Codebook.bundled(version: version)
            switch format {
            case .json: print(codebook.jsonDescription(), terminator: "")
            case .text: print(codebook.textDescription(language: lang), terminator: "")
            }
        }
    }
}
