import ArgumentParser
import Foundation
import MosaicReporting

extension Mosaic {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a trend report for policymakers from release files (one per quarter).")

        @Option(name: .customLong("release"), parsing: .upToNextOption, help: "Release files, one per quarter.") var releases: [String]
        @Option(help: "A region code, for a regional report (default: the country).") var region: String?
        @Option(help: "en or es.") var lang: String = "en"
        @Option(help: "Comma-separated: html, md, csv, json, pdf (pdf needs headless Chromium).") var format: String = "html,md,csv,json"
        @Option(help: "The output folder.") var out: String
        @Option(help: "The next release's date, YYYY-MM-DD, shown in the report.") var nextRelease: String?
        @Option(help: "A contact for questions (plain text, up to 200 characters), shown in the report.") var contact: String?

        func validate() throws {
            guard !releases.isEmpty else { throw ValidationError("give at least one --release file") }
            guard ReportStrings.available.contains(lang) else {
                throw ValidationError("--lang must be one of \(ReportStrings.available.joined(separator: ", "))")
            }
            if let d = nextRelease {
                let ok = d.count == 10 && d.enumerated().allSatisfy { i, c in [4, 7].contains(i) ? c == "-" : c.isASCII && c.isNumber }
                guard ok else { throw ValidationError("--next-release must be a date, YYYY-MM-DD") }
            }
            if let c = contact {
                guard !c.isEmpty, c.count <= 200, !c.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
                    throw ValidationError("--contact must be plain text of 1 to 200 characters on one line")
                }
            }
            for f in format.split(separator: ",") where ReportWriter.Format(rawValue: String(f)) == nil {
                throw ValidationError("unknown format '\(f)' (html, md, csv, json, pdf)")
            }
        }

        func run() throws {
            let formats = format.split(separator: ",").compactMap { ReportWriter.Format(rawValue: String($0)) }
            finishInterruptedWrites([out + "/x"])
            let files = try ReportWriter.write(
                releases: releases, region: region, language: lang, formats: formats, folder: out,
                settings: ReportSettings(nextRelease: nextRelease, contact: contact))
            print("Wrote " + files.joined(separator: ", "))
        }
    }
}
