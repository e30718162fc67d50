import Foundation
import MosaicFiles

/// Writes a report in the requested formats.
public enum ReportWriter {
    /// The formats a report is written in.
    public enum Format: String, CaseIterable, Sendable { case html, md, csv, json, pdf }

    /// Builds the model from release files and writes `report-<scope>-<lang>.<ext>` files into
    /// `folder` (made if its parent exists), all or nothing: existing files are never replaced.
    @discardableResult
    public static func write(
        releases: [String], region: String?, language: String, formats: [Format], folder: String,
        settings: ReportSettings = ReportSettings()
    ) throws -> [String] {
        let base = (folder as NSString).appendingPathComponent("report-\((region ?? "country").lowercased())-\(language)")
        let targets = formats.map { "\(base).\($0.rawValue)" }
        var isDir: ObjCBool = false
        let folderExists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDir)
        if folderExists {
            guard isDir.boolValue else { throw OutputError.exists(folder) }
            try AtomicFile.check(targets)
        } else {
            try AtomicFile.check([folder])
        }
        let strings = try ReportStrings(language: language)
        let model = try ReportModel.build(releases: releases, region: region, language: language)
        let r = ReportRenderer(model: model, strings: strings, settings: settings)
        if !folderExists { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false) }
        let batch = AtomicFile.Batch()
        var scratch: [String] = []
        defer { for t in scratch { AtomicFile.remove(t) } }
        do {
            for format in formats where format != .pdf {
                let text: String
                switch format {
                case .html: text = r.html()
                case .md: text = r.markdown()
                case .csv: text = r.csv()
                case .json: text = r.json()
                case .pdf: continue
                }
                try batch.write(Data(text.utf8), to: "\(base).\(format.rawValue)")
            }
            if formats.contains(.pdf) {
                let html: String
                if let existing = batch.files.first(where: { $0.path == "\(base).html" }) {
                    html = existing.temporary
                } else {
                    html = try AtomicFile.writeTemporary(Data(r.html().utf8), for: "\(base).html")
                    scratch.append(html)
                }
                let temporaryPDF = AtomicFile.temporaryPath(for: "\(base).pdf")
                scratch.append(temporaryPDF)
                try printPDF(html: html, to: temporaryPDF)
                scratch.removeLast()
                batch.adopt(temporary: temporaryPDF, for: "\(base).pdf")
            }
            return try batch.publish()
        } catch {
            batch.discard()
            if !folderExists { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    /// The headless Chromium on this machine, if any.
    public static func chromium() -> String? {
        for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
            for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
                let p = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: p) { return p }
            }
        }
        return nil
    }

    /// Runs headless Chromium on an HTML file with no network.
    public static func runChromium(_ arguments: [String]) throws {
        guard let chromium = chromium() else { throw ReportError.noChromium }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                "--user-data-dir=" + NSTemporaryDirectory() + "mosaic-chromium-\(UUID())",
            ] + arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ReportError.pdfFailed("exit \(p.terminationStatus)") }
    }

    /// Prints the page in `html` to `pdf`. The browser decides how to read a file by its
    /// extension, and temporary files have none: the page is copied to `report.html` in a
    /// private temporary folder first (removed afterwards).
    static func printPDF(html: String, to pdf: String) throws {
        let folder = NSTemporaryDirectory() + "mosaic-print-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let page = folder + "/report.html"
        guard let content = FileManager.default.contents(atPath: html), FileManager.default.createFile(atPath: page, contents: content)
        else { throw ReportError.pdfFailed("the page could not be copied for printing") }
        try runChromium(["--print-to-pdf=\(pdf)", "--no-pdf-header-footer", URL(fileURLWithPath: page).absoluteString])
        guard FileManager.default.fileExists(atPath: pdf) else { throw ReportError.pdfFailed("no file written") }
    }
}
