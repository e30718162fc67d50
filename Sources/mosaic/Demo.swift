import ArgumentParser
import MosaicDemo

extension Mosaic {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole pipeline on a synthetic country into a folder.")

        @Option(help: "The output folder (replaced if it holds an earlier demo).") var out = "demo-output"
        @Option(help: "About how many schools to make.") var schools = 4_000

        func run() throws {
            var demo = MosaicDemo.Demo(folder: out)
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
