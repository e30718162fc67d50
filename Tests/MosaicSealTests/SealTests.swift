import Crypto
import Foundation
import GRDB
import MosaicCodebook
import MosaicCounts
import MosaicFiles
import MosaicIntake
import MosaicKeyring
import MosaicRegistry
import MosaicStore
import Testing

@testable import MosaicSeal

/// An authority with a store of three schools (S3 closed), its key, and credentials for S1 and S2.
struct SealFixture {
    let folder: String
    let store: Store
    let authority = AuthorityKey()
    let s1: Credentials
    let s2: Credentials
    let codebook = try! Codebook.bundled()
    /// 2026-08-15, in 2026-Q3.
    let now = Date(timeIntervalSince1970: 1_786_800_000)

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-seal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try Store.create(at: folder + "/store.sqlite")
        let schools = ["S1", "S2", "S3"].map {
            School(
                id: $0, name: "School \($0)", regionCode: "R1", regionName: "Region", provinceCode: "P1", provinceName: "Province",
                enrolment: 300, stage: .secondary, sector: .public)
        }
        _ = try store.importRegistry(schools, source: "r.csv")
        try store.setAuthorityPublicKey(authority.publicKey)
        s1 = Credentials(schoolID: "S1", authorityPublicKey: authority.publicKey)
        s2 = Credentials(schoolID: "S2", authorityPublicKey: authority.publicKey)
        for c in [s1, s2] {
            try store.registerKey(school: c.schoolID, publicKey: c.publicKey, fingerprint: c.fingerprint, origin: "issued")
        }
    }

    func counts(_ school: String = "S1", persons n: Int = 2) -> [UInt8] {
        var v = [Int](repeating: 0, count: codebook.allCells.count)
        for (t, c) in [
            ("incidents", "shared.pupil_14_15.female"), ("channels", "whatsapp"), ("tools", "nudify"),
            ("perpetrators", "pupil_same_school"), ("responses", "parents_informed"),
        ] {
            v[codebook.cellIndex(table: t, cell: c)!] = n
        }
        let s = Submission(schoolID: school, period: Period("2026-Q2")!, codebookVersion: 1, counts: v)
        return Array(CountsFile.write(s, codebook: codebook).utf8)
    }

    func write(_ name: String, _ data: Data) -> String {
        let path = folder + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: data)
        return path
    }

    func ingest(_ paths: [String], allowUnsealed: Bool = false) throws -> [FileFate] {
        var i = Ingestor(store: store)
        i.now = now
        i.allowUnsealed = allowUnsealed
        i.opener = try PackageVerifier(authority: authority, store: store)
        return try i.ingest(paths).results.map(\.fate)
    }

    func snapshot() throws -> [String] {
        try store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM submission ORDER BY id").map(\.description)
                + Row.fetchAll(db, sql: "SELECT * FROM submission_count ORDER BY submission_id, cell_index").map(\.description)
        }
    }

    /// Expects the package to be rejected with a message containing `message`, storing nothing.
    func expectRejected(_ package: Data, _ message: String?, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try snapshot()
        let fate = try ingest([write("p-\(UUID().uuidString.prefix(6)).mpkg", package)])[0]
        guard case .invalid(let e) = fate else {
            Issue.record("accepted: \(fate)", sourceLocation: sourceLocation)
            return
        }
        if let message { #expect(e.message.contains(message), "message was: \(e.message)", sourceLocation: sourceLocation) }
        #expect(try snapshot() == before, "the store changed", sourceLocation: sourceLocation)
    }
}

@Suite struct SealTests {
    @Test func aRoundTripStoresTheSameCountsAndRecordsTheSeal() throws {
        let f = try SealFixture()
        let package = try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: f.s1, now: f.now)
        #expect(package.count == SealedPackage.packageSize)
        #expect(try f.ingest([f.write("a.mpkg", package)]) == [.stored])
        let history = try f.store.history(school: "S1", period: Period("2026-Q2")!)
        #expect(history.count == 1 && history[0].sealed && history[0].sourceFormat == "sealed")
        let parsed = try CountsFile.parse(f.counts(), file: "x", now: f.now)
        #expect(try f.store.counts(ofSubmission: history[0].id) == parsed.submission.counts)
        let fingerprint = try f.store.database.read { try String.fetchOne($0, sql: "SELECT key_fingerprint FROM submission") }
        #expect(fingerprint == f.s1.fingerprint)
    }

    @Test func everyPackageHasTheSameSize() throws {
        let f = try SealFixture()
        let a = try SealedPackage.seal(f.counts("S1", persons: 0), file: "a", credentials: f.s1, now: f.now)
        let b = try SealedPackage.seal(f.counts("S2", persons: 250), file: "b", credentials: f.s2, now: f.now)
        let json = Array(
            CountsFile.write(try CountsFile.parse(f.counts(), file: "x", now: f.now).submission, codebook: f.codebook, format: .json).utf8)
        let c = try SealedPackage.seal(json, file: "c.json", credentials: f.s1, now: f.now)
        #expect(a.count == b.count && b.count == c.count)
        #expect(a != (try SealedPackage.seal(f.counts("S1", persons: 0), file: "a", credentials: f.s1, now: f.now)))
    }

    @Test func aPackageAlteredByOneByteAnywhereIsRejected() throws {
        let f = try SealFixture()
        let package = try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: f.s1, now: f.now)
        var positions = Array(0..<SealedPackage.headerSize)
        var rng = SystemRandomNumberGenerator()
        positions += (0..<60).map { _ in Int.random(in: SealedPackage.headerSize..<package.count, using: &rng) }
        positions.append(package.count - 1)
        for p in positions {
            var altered = package
            altered[p] ^= 0x01
            try f.expectRejected(altered, nil)
        }
    }

    @Test func aPackageSignedByAnotherSchoolsKeyIsRejected() throws {
        let f = try SealFixture()
        // S2's key, claiming S1 (with S1's counts inside).
        let forged = try SealedPackage.sealContent(f.counts("S1"), school: "S1", file: "x", credentials: f.s2, now: f.now)
        try f.expectRejected(forged, "claims another school than the one its signing key is registered to")
    }

    @Test func countsNamingAnotherSchoolThanTheSignedOneAreRejected() throws {
        let f = try SealFixture()
        let forged = try SealedPackage.sealContent(f.counts("S2"), school: "S1", file: "x", credentials: f.s1, now: f.now)
        try f.expectRejected(forged, "another school than the signed package")
    }

    @Test func sealingRefusesCountsOfAnotherSchool() throws {
        let f = try SealFixture()
        #expect(throws: IntakeError.self) { _ = try SealedPackage.seal(f.counts("S2"), file: "x", credentials: f.s1, now: f.now) }
    }

    @Test func aRevokedOrUnknownKeyIsRejected() throws {
        let f = try SealFixture()
        let package = try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: f.s1, now: f.now)
        try f.store.revokeKeys(school: "S1")
        try f.expectRejected(package, "revoked")
        let stranger = Credentials(schoolID: "S1", authorityPublicKey: f.authority.publicKey)
        try f.expectRejected(try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: stranger, now: f.now), "not registered")
    }

    @Test func rotationRevokesTheOldKey() throws {
        let f = try SealFixture()
        let old = try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: f.s1, now: f.now)
        let renewed = Credentials(schoolID: "S1", authorityPublicKey: f.authority.publicKey)
        try f.store.registerKey(school: "S1", publicKey: renewed.publicKey, fingerprint: renewed.fingerprint, origin: "issued")
        try f.expectRejected(old, "revoked")
        #expect(
            try f.ingest([f.write("new.mpkg", try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: renewed, now: f.now))]) == [
                .stored
            ])
    }

    @Test func aPackageSealedFarInTheFutureIsRefusedNamingTheSchool() throws {
        let f = try SealFixture()
        let year2100 = Date(timeIntervalSince1970: 4_102_444_800)
        try f.expectRejected(
            try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: f.s1, now: year2100),
            "school S1: sealed more than 12 hours in the future")
        // A revoked key's refusal names the school too, once the signature has proved it.
        let package = try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: f.s1, now: f.now)
        try f.store.revokeKeys(school: "S1")
        try f.expectRejected(package, "school S1: signed with a revoked key")
    }

    @Test func anEarlierKeysPackageNeverBlocksTheNewKey() throws {
        let f = try SealFixture()
        // The old key's package carries a sealing time ahead of the new key's (clocks differ).
        let ahead = try SealedPackage.seal(f.counts(persons: 2), file: "a", credentials: f.s1, now: Date().addingTimeInterval(10 * 3600))
        #expect(try f.ingest([f.write("ahead.mpkg", ahead)]) == [.stored])
        let renewed = Credentials(schoolID: "S1", authorityPublicKey: f.authority.publicKey)
        try f.store.registerKey(school: "S1", publicKey: renewed.publicKey, fingerprint: renewed.fingerprint, origin: "issued")
        let fresh = try SealedPackage.seal(f.counts(persons: 3), file: "b", credentials: renewed, now: Date())
        #expect(try f.ingest([f.write("fresh.mpkg", fresh)]) == [.corrected])
    }

    @Test func aPackageForAnotherAuthorityIsRejected() throws {
        let f = try SealFixture()
        let other = AuthorityKey()
        let creds = Credentials(schoolID: "S1", signingKey: f.s1.signingKey, authorityPublicKey: other.publicKey)
        try f.expectRejected(try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: creds, now: f.now), "another authority")
    }

    @Test func truncatedGarbageAndNewerPackagesAreRejected() throws {
        let f = try SealFixture()
        let package = try SealedPackage.seal(f.counts(), file: "s1.csv", credentials: f.s1, now: f.now)
        try f.expectRejected(package.prefix(package.count - 1), "truncated")
        try f.expectRejected(package.prefix(20), "not a Mosaic package")
        try f.expectRejected(Data(SealedPackage.magic) + Data((0..<5000).map { UInt8($0 % 251) }), nil)
        let newer = try SealedPackage.sealContent(f.counts(), school: "S1", file: "x", credentials: f.s1, now: f.now, version: 2)
        try f.expectRejected(newer, "newer than this build reads")
        // Garbage without the magic is refused as not sealed.
        let fate = try f.ingest([f.write("junk.bin", Data((0..<300).map { UInt8($0 % 256) }))])[0]
        guard case .invalid(let e) = fate else {
            Issue.record("accepted garbage")
            return
        }
        #expect(e.message.contains("not a sealed package"))
    }

    @Test func thePackageTwiceIsANoOpAndAnOlderVersionCannotReplaceANewerOne() throws {
        let f = try SealFixture()
        let older = try SealedPackage.seal(f.counts(persons: 2), file: "v1", credentials: f.s1, now: f.now)
        let newer = try SealedPackage.seal(f.counts(persons: 3), file: "v2", credentials: f.s1, now: f.now.addingTimeInterval(3600))
        #expect(try f.ingest([f.write("v2.mpkg", newer)]) == [.stored])
        #expect(try f.ingest([f.write("v2-again.mpkg", newer)]) == [.unchanged])
        let fate = try f.ingest([f.write("v1.mpkg", older)])[0]
        guard case .refused(let why) = fate else {
            Issue.record("an older package replaced a newer one: \(fate)")
            return
        }
        #expect(why.contains("older version"))
        #expect(try f.store.history(school: "S1", period: Period("2026-Q2")!).count == 1)
    }

    @Test func aCorrectionSealedLaterMayRestoreEarlierCounts() throws {
        let f = try SealFixture()
        let first = try SealedPackage.seal(f.counts(persons: 2), file: "v1", credentials: f.s1, now: f.now)
        let second = try SealedPackage.seal(f.counts(persons: 3), file: "v2", credentials: f.s1, now: f.now.addingTimeInterval(60))
        let back = try SealedPackage.seal(f.counts(persons: 2), file: "v3", credentials: f.s1, now: f.now.addingTimeInterval(120))
        #expect(try f.ingest([f.write("v1.mpkg", first)]) == [.stored])
        #expect(try f.ingest([f.write("v2.mpkg", second)]) == [.corrected])
        #expect(try f.ingest([f.write("v3.mpkg", back)]) == [.corrected])
        // The first package again is a replay, known by its own identity: refused, nothing changes.
        guard case .refused(let why) = try f.ingest([f.write("v1-again.mpkg", first)])[0] else {
            Issue.record("a replayed package was accepted")
            return
        }
        #expect(why.contains("ingested before"))
        #expect(try f.store.history(school: "S1", period: Period("2026-Q2")!).count == 3)
    }

    @Test func sealingTimesOutsideTheClockToleranceAreRefused() throws {
        let f = try SealFixture()
        // Before the quarter began (by more than the tolerance), or at the far past of Int64.
        // (The school's own checks would stop these; a package is data, so it is sealed here directly.)
        let early = try SealedPackage.sealContent(
            f.counts(), school: "S1", file: "e", credentials: f.s1, now: Period("2026-Q2")!.startDate.addingTimeInterval(-86_400))
        guard case .refused(let why) = try f.ingest([f.write("early.mpkg", early)])[0] else {
            Issue.record("a package sealed before its quarter was accepted")
            return
        }
        #expect(why.contains("before its quarter began"))
        let ancient = try SealedPackage.sealContent(
            f.counts(), school: "S1", file: "a", credentials: f.s1, now: Date(timeIntervalSince1970: -9.2e18))
        guard case .refused = try f.ingest([f.write("ancient.mpkg", ancient)])[0] else {
            Issue.record("a package sealed at the far past was accepted")
            return
        }
        // 13 hours ahead of the authority's clock (the verifier reads the real clock): refused naming the school.
        try f.expectRejected(
            try SealedPackage.seal(f.counts(), file: "s", credentials: f.s1, now: Date().addingTimeInterval(13 * 3600)),
            "sealed more than 12 hours in the future")
    }

    @Test func plainFilesNeedTheUnsealedFlagAndAreRecordedAsUnsealed() throws {
        let f = try SealFixture()
        let path = f.write("plain.csv", Data(f.counts()))
        guard case .invalid(let e) = try f.ingest([path])[0] else {
            Issue.record("plain file accepted without --unsealed")
            return
        }
        #expect(e.message.contains("--unsealed"))
        #expect(try f.ingest([path], allowUnsealed: true) == [.stored])
        #expect(try f.store.history(school: "S1", period: Period("2026-Q2")!)[0].sealed == false)
    }

    @Test func keyFilesArePrivateAndRoundTrip() throws {
        let f = try SealFixture()
        let keyPath = f.folder + "/authority.key"
        let credPath = f.folder + "/s1.cred"
        try f.authority.write(to: keyPath)
        try f.s1.write(to: credPath)
        for p in [keyPath, credPath] {
            let mode = try FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as! NSNumber
            #expect(mode.intValue & 0o777 == 0o600)
        }
        #expect(try AuthorityKey.read(from: keyPath).publicKey == f.authority.publicKey)
        #expect(try AuthorityKey.readPublic(from: keyPath + ".pub") == f.authority.publicKey)
        #expect(try Credentials.read(from: credPath).fingerprint == f.s1.fingerprint)
        #expect(throws: OutputError.exists(keyPath)) { try f.authority.write(to: keyPath) }
    }
}

/// A fixed package with its (test-only) keys: the format must keep opening it.
@Suite struct TestVectorTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors").path

    @Test func theVersionOneTestVectorOpens() throws {
        let authority = try AuthorityKey.read(from: Self.folder + "/authority.key")
        let (school, key) = try Credentials.readPublic(from: Self.folder + "/school.pub")
        let package = try #require(FileManager.default.contents(atPath: Self.folder + "/vector-v1.mpkg"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-vector-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try Store.create(at: dir + "/s.sqlite")
        _ = try store.importRegistry(
            [
                School(
                    id: school, name: "Vector school", regionCode: "R1", regionName: "R", provinceCode: "P1",
                    provinceName: "P", enrolment: 300, stage: .secondary, sector: .public)
            ], source: "r")
        try store.registerKey(school: school, publicKey: key, fingerprint: fingerprint(of: key), origin: "registered")
        let opened = try PackageVerifier(authority: authority, store: store).open(Array(package), file: "vector-v1.mpkg")
        let expected = try #require(FileManager.default.contents(atPath: Self.folder + "/vector-v1.content.csv"))
        #expect(opened.content == Array(expected))
        #expect(opened.origin.schoolID == school)
        let sealedAt = try String(contentsOfFile: Self.folder + "/vector-v1.sealed-at", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(opened.origin.sealedAt == Int64(sealedAt))
        #expect(package.count == SealedPackage.packageSize)
    }
}

/// The written-out HPKE steps and the AES-GCM suite (2) that the browser form uses.
@Suite struct HPKESuiteTests {
    struct Vectors: Decodable {
        struct HPKEVector: Decodable {
            var name: String
            var aead_id: Int
            var info, skEm, pkEm, skRm, pkRm, enc, key, base_nonce, aad, pt, ct: String
        }
        var hpke: [HPKEVector]
    }

    static func bytes(_ hex: String) -> [UInt8] { SealedPackage.hexBytes(hex) }

    @Test func theWrittenOutSenderMatchesRFC9180AndSwiftCrypto() throws {
        let data = try #require(FileManager.default.contents(atPath: TestVectorTests.folder + "/rfc-vectors.json"))
        let vectors = try JSONDecoder().decode(Vectors.self, from: data)
        #expect(vectors.hpke.count == 2)
        for v in vectors.hpke {
            let suite: SealedPackage.Suite = v.aead_id == 1 ? .aesGCM : .chachaPoly
            let skE = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Self.bytes(v.skEm))
            #expect(SealedPackage.hex(skE.publicKey.rawRepresentation) == v.enc, "\(v.name)")
            let sender = try HPKEBaseSender(
                recipientKey: Data(Self.bytes(v.pkRm)), ephemeralKey: skE, info: Data(Self.bytes(v.info)), suite: suite)
            #expect(SealedPackage.hex(sender.key.withUnsafeBytes { Array($0) }) == v.key, "\(v.name)")
            #expect(SealedPackage.hex(sender.baseNonce) == v.base_nonce, "\(v.name)")
            let ct = try sender.seal(Data(Self.bytes(v.pt)), authenticating: Data(Self.bytes(v.aad)))
            #expect(SealedPackage.hex(ct) == v.ct, "\(v.name)")
            // swift-crypto, an independent implementation, opens it.
            var recipient = try HPKE.Recipient(
                privateKey: Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Self.bytes(v.skRm)), ciphersuite: suite.ciphersuite,
                info: Data(Self.bytes(v.info)), encapsulatedKey: Data(Self.bytes(v.enc)))
            #expect(Array(try recipient.open(ct, authenticating: Data(Self.bytes(v.aad)))) == Self.bytes(v.pt))
        }
    }

    @Test func anAESGCMPackageOpensAndIsStoredLikeAnyOther() throws {
        let f = try SealFixture()
        let package = try SealedPackage.seal(f.counts(), file: "c.csv", credentials: f.s1, now: f.now, suite: .aesGCM)
        #expect(package.count == SealedPackage.packageSize)
        #expect(package[9] == 2)
        let opened = try PackageVerifier(authority: f.authority, store: f.store, now: f.now).open(Array(package), file: "p.mpkg")
        #expect(opened.origin.schoolID == "S1")
        let parsed = try CountsFile.parse(opened.content, file: "p", now: f.now)
        #expect(parsed.submission.counts == (try CountsFile.parse(f.counts(), file: "c", now: f.now)).submission.counts)
    }

    @Test func anUnknownSuiteOrASwappedSuiteByteIsRefused() throws {
        let f = try SealFixture()
        var package = Array(try SealedPackage.seal(f.counts(), file: "c.csv", credentials: f.s1, now: f.now, suite: .aesGCM))
        let verifier = try PackageVerifier(authority: f.authority, store: f.store, now: f.now)
        package[9] = 1  // claims ChaCha20-Poly1305: the header is authenticated and the AEAD differs
        #expect(throws: IntakeError.self) { try verifier.open(package, file: "p") }
        package[9] = 3
        #expect(throws: IntakeError(file: "p", line: nil, message: "an unknown package format or cipher suite")) {
            try verifier.open(package, file: "p")
        }
    }

    /// The suite-2 vector: sealed with a fixed ephemeral key and nonce by the Swift steps; the
    /// browser form, given the same inputs, must produce the same bytes (checked by the form test).
    @Test func theAESGCMVectorIsReproducedByteForByte() throws {
        let folder = TestVectorTests.folder
        let creds = try Credentials.read(from: folder + "/school.cred")
        let content = try #require(FileManager.default.contents(atPath: folder + "/vector-v1.content.csv"))
        struct Inputs: Decodable {
            var ephemeral_secret: String
            var nonce: String
            var sealed_at: Int64
        }
        let inputs = try JSONDecoder().decode(
            Inputs.self, from: try #require(FileManager.default.contents(atPath: folder + "/vector-v1-aesgcm.json")))
        let package = try SealedPackage.sealDeterministic(
            Array(content), credentials: creds, sealedAt: inputs.sealed_at,
            ephemeralKey: try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Self.bytes(inputs.ephemeral_secret)),
            nonce: Self.bytes(inputs.nonce))
        if ProcessInfo.processInfo.environment["MOSAIC_WRITE_VECTORS"] == "1" {
            FileManager.default.createFile(atPath: folder + "/vector-v1-aesgcm.mpkg", contents: package)
        }
        let stored = try #require(FileManager.default.contents(atPath: folder + "/vector-v1-aesgcm.mpkg"))
        #expect(package == stored)
        // and swift-crypto's recipient opens it through the verifier
        let authority = try AuthorityKey.read(from: folder + "/authority.key")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-vector-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try Store.create(at: dir + "/s.sqlite")
        _ = try store.importRegistry(
            [
                School(
                    id: creds.schoolID, name: "Vector school", regionCode: "R1", regionName: "R", provinceCode: "P1",
                    provinceName: "P", enrolment: 300, stage: .secondary, sector: .public)
            ], source: "r")
        try store.registerKey(school: creds.schoolID, publicKey: creds.publicKey, fingerprint: creds.fingerprint, origin: "registered")
        let opened = try PackageVerifier(
            authority: authority, store: store, now: Date(timeIntervalSince1970: TimeInterval(inputs.sealed_at + 3600))
        ).open(
            Array(stored), file: "vector-v1-aesgcm.mpkg")
        #expect(opened.content == Array(content))
        #expect(opened.origin.sealedAt == inputs.sealed_at)
    }
}

/// Issuing many credential files (the forms) all or nothing.
@Suite struct IssueAllTests {
    @Test func aFailureMidwayUndoesTheFilesAndKeysIssuedBefore() throws {
        let f = try SealFixture()
        let before = try f.store.keys().map(\.fingerprint).sorted()
        let activeBefore = try f.store.keys(school: "S1").filter(\.isActive).map(\.fingerprint)
        struct Boom: Error {}
        var calls = 0
        #expect(throws: Boom.self) {
            _ = try CredentialIssuer.issueAll(
                [("S1", f.folder + "/s1.html"), ("S2", f.folder + "/s2.html")], store: f.store, now: f.now,
                content: { creds in
                    calls += 1
                    if creds.schoolID == "S2" { throw Boom() }
                    return Data("page".utf8)
                })
        }
        #expect(calls == 2)
        #expect(!FileManager.default.fileExists(atPath: f.folder + "/s1.html"), "the first school's file is removed")
        #expect(try f.store.keys().map(\.fingerprint).sorted() == before, "no key is left registered")
        #expect(try f.store.keys(school: "S1").filter(\.isActive).map(\.fingerprint) == activeBefore, "S1's earlier key is valid again")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: f.folder).filter { $0.contains("s1") || $0.contains("s2") }
        #expect(leftovers.isEmpty, "no temporary file is left: \(leftovers)")
    }

    @Test func everySchoolGetsItsOwnKeyAndFile() throws {
        let f = try SealFixture()
        let issued = try CredentialIssuer.issueAll(
            [("S1", f.folder + "/s1.html"), ("S2", f.folder + "/s2.html")], store: f.store, now: f.now,
            content: { Data($0.schoolID.utf8) })
        #expect(issued.map(\.schoolID) == ["S1", "S2"])
        #expect(FileManager.default.contents(atPath: f.folder + "/s2.html") == Data("S2".utf8))
        for c in issued { #expect(try f.store.key(fingerprint: c.fingerprint)?.isActive == true) }
        #expect(try f.store.keys(school: "S1").filter(\.isActive).count == 1, "the earlier key is revoked")
    }
}
