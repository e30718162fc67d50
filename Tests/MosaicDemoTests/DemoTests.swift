import Foundation
import MosaicCounts
import MosaicIntake
import MosaicStore
import Testing

@testable import MosaicDemo

@Suite struct DemoTests {
    @Test func runsThePipelineEndToEnd() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID())").path
        var demo = Demo(folder: dir)
        demo.config.schools = 300
        demo.replicates = 0
        var lines: [String] = []
        demo.say = { lines.append($0) }
        let outcome = try demo.run()
        #expect(outcome.ingest.failed == 0)
        #expect(outcome.ingest.stored == outcome.files)
        #expect(outcome.correction == .corrected)
        #expect(outcome.repeat_ == .unchanged)
        guard case .invalid = outcome.rejected else {
            Issue.record("the mistaken file was accepted")
            return
        }
        #expect(outcome.latestStatus.count == 17)
        #expect(lines.count >= 7)
        #expect(Store.isStore(at: outcome.storePath))
        #expect(outcome.releases.count == 8)
        guard case .invalid = outcome.tampered else {
            Issue.record("a tampered package was accepted")
            return
        }
        #expect(lines.contains { $0.contains("arrived sealed") && $0.contains(", 0 refused") })
        #expect(outcome.releases.allSatisfy { FileManager.default.fileExists(atPath: $0) && !Store.isStore(at: $0) })
        #expect(lines.contains { $0.contains("refused, nothing spent") })
        // A second run replaces the demo's own folder.
        try demo.run()
    }

    @Test func refusesAFolderThatHoldsOtherFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/thesis.docx", contents: Data("x".utf8))
        #expect(throws: DemoError.self) { try Demo(folder: dir).run() }
        #expect(FileManager.default.fileExists(atPath: dir + "/thesis.docx"))
    }
}
