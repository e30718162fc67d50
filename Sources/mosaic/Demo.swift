import ArgumentParser
import MosaicDemo
import MosaicSynth

extension Mosaic {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole pipeline on a synthetic country into a folder.")

        @Option(help: "The output folder (replaced if it holds an earlier demo).") var out = "demo-output"
        @Option(help: "About how many schools to make (national scenario).") var schools = 4_000
        @Option(
            help: ArgumentHelp(
                "national: a country of regions and provinces; authority: one regional authority of 300 schools in 3 districts and 9 zones of 3 to 90 schools, tens of affected persons a quarter.",
                valueName: "national|authority"))
        var scenario = "national"

        func validate() throws {
            guard ["national", "authority"].contains(scenario) else { throw ValidationError("--scenario must be national or authority") }
        }

        func run() throws {
            var demo = MosaicDemo.Demo(folder: out)
            if scenario == "authority" { demo.config = SynthConfig.authority() }
            demo.config.schools = schools
            let progress = ProgressTracker()
            demo.progress = progress.update
            demo.say = {
                progress.clear()
                print($0)
            }
            try demo.run()
            progress.clear()
            print("Done. Everything is in \(out)/.")
        }
    }
}

/// Shows progress of several labelled steps.
final class ProgressTracker {
    private var current: Progress?
    func update(_ label: String, _ done: Int, _ total: Int) {
        if current?.label != label { current = Progress(label: label) }
        current?.update(done, total)
    }
    func clear() { current?.finish() }
}
