import ArgumentParser
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

        func validate() throws {
            guard !releases.isEmpty else { throw ValidationError("give at least one --release file") }
            guard ReportStrings.available.contains(lang) else {
                throw ValidationError("--lang must be one of \(ReportStrings.available.joined(separator: ", "))")
            }
            for f in format.split(separator: ",") where ReportWriter.Format(rawValue: String(f)) == nil {
                throw ValidationError("unknown format '\(f)' (html, md, csv, json, pdf)")
            }
        }

        func run() throws {
            let formats = format.split(separator: ",").compactMap { ReportWriter.Format(rawValue: String($0)) }
            finishInterruptedWrites([out + "/x"])
            let files = try ReportWriter.write(releases: releases, region: region, language: lang, formats: formats, folder: out)
            print("Wrote " + files.joined(separator: ", "))
        }
    }
}
