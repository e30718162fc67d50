import Foundation

/// Writes a report in the requested formats.
public enum ReportWriter {
    public enum Format: String, CaseIterable, Sendable { case html, md, csv, json, pdf }

    /// Builds the model from release files and writes `report-<scope>-<lang>.<ext>` files into `folder`.
    @discardableResult
    public static func write(releases: [String], region: String?, language: String, formats: [Format], folder: String) throws -> [String] {
        let strings = try ReportStrings(language: language)
        let model = try ReportModel.build(releases: releases, region: region, language: language)
        let r = ReportRenderer(model: model, strings: strings)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = (folder as NSString).appendingPathComponent("report-\((region ?? "country").lowercased())-\(language)")
        var written: [String] = []
        for format in formats where format != .pdf {
            let text: String
            switch format {
            case .html: text = r.html()
            case .md: text = r.markdown()
            case .csv: text = r.csv()
            case .json: text = r.json()
            case .pdf: continue
            }
            try text.write(toFile: "\(base).\(format.rawValue)", atomically: true, encoding: .utf8)
            written.append("\(base).\(format.rawValue)")
        }
        if formats.contains(.pdf) {
            let html = "\(base).html"
            if !written.contains(html) { try r.html().write(toFile: html, atomically: true, encoding: .utf8) }
            try printPDF(html: html, to: "\(base).pdf")
            written.append("\(base).pdf")
        }
        return written
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
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                       "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--user-data-dir=" + NSTemporaryDirectory() + "mosaic-chromium-\(UUID())"] + arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ReportError.pdfFailed("exit \(p.terminationStatus)") }
    }

    static func printPDF(html: String, to pdf: String) throws {
        try runChromium(["--print-to-pdf=\(pdf)", "--no-pdf-header-footer", URL(fileURLWithPath: html).absoluteString])
        guard FileManager.default.fileExists(atPath: pdf) else { throw ReportError.pdfFailed("no file written") }
    }
}
