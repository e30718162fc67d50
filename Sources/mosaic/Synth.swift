import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicSynth

extension Mosaic {
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a synthetic registry and counts files (for trials and benchmarks; the data are made up).")

        @Option(help: "The output folder.") var out: String
        @Option(help: "About how many schools.") var schools = 4_000
        @Option(help: "The last quarter, YYYY-Qn.", transform: parsePeriod) var last = Period(year: 2026, quarter: 3)!
        @Option(help: "How many quarters, ending with --last.") var quarters = 8
        @Option(help: "Seed of the synthetic data (it is not privacy noise).") var seed: UInt64 = 2023
        @Flag(help: "Write the optional label column.") var labels = false
        @Flag(
            help:
                "Write each quarter's counts files into one tar archive, counts/PERIOD.tar, instead of a folder (mosaic ingest reads archives; for national-scale runs)."
        ) var archive = false

        func validate() throws {
            guard (1...40).contains(quarters) else { throw ValidationError("--quarters must be 1 to 40") }
            guard (50...2_000_000).contains(schools) else { throw ValidationError("--schools must be 50 to 2,000,000") }
        }

        func run() throws {
            var config = SynthConfig()
            config.schools = schools
            config.periods = last.trailing(quarters)
            config.seed = seed
            let country = try SyntheticCountry(config: config, codebook: try Codebook.bundled())
            let progress = Progress(label: "writing")
            let files = try country.write(to: out, labels: labels, archive: archive, progress: progress.update)
            progress.finish()
            if archive {
                let n = files.fileCount
                print(
                    "Wrote \(files.registry) (\(country.schools.count) schools) and \(n) counts files in \(files.allCounts.count) archives under \(out)/counts."
                )
            } else {
                print(
                    "Wrote \(files.registry) (\(country.schools.count) schools) and \(files.allCounts.count) counts files under \(out)/counts."
                )
            }
        }
    }
}
