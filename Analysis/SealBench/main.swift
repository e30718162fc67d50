// Prepares the sealed-ingest benchmark: for every school of a store's registry, issues
// credentials (registering the public key), then seals every counts file found under a folder
// into a package. Usage: seal-bench STORE AUTHORITY_KEY COUNTS_DIR PACKAGES_DIR
import Foundation
import MosaicCounts
import MosaicSeal
import MosaicStore

let args = CommandLine.arguments
// In-process sealing time: seal-bench --time COUNTS CREDENTIALS RUNS → median ms per seal, per suite.
if args.count == 5, args[1] == "--time", let runs = Int(args[4]), runs > 0 {
    let counts = Array(FileManager.default.contents(atPath: args[2]) ?? Data())
    let creds = try Credentials.read(from: args[3])
    for suite in SealedPackage.Suite.allCases {
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try SealedPackage.seal(counts, file: args[2], credentials: creds, suite: suite)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        times.sort()
        print("\(suite) \(times[times.count / 2])")
    }
    exit(0)
}
guard args.count == 5 else {
    print("usage: seal-bench STORE AUTHORITY_KEY COUNTS_DIR PACKAGES_DIR")
    exit(2)
}
let store = try Store.open(at: args[1])
let authority = try AuthorityKey.read(from: args[2])
var credentials: [String: Credentials] = [:]
for school in try store.schools() {
    let c = Credentials(schoolID: school.id, authorityPublicKey: authority.publicKey)
    try store.registerKey(school: school.id, publicKey: c.publicKey, fingerprint: c.fingerprint, origin: "issued")
    credentials[school.id] = c
}
let fm = FileManager.default
try fm.createDirectory(atPath: args[4], withIntermediateDirectories: true)
let files = (fm.enumerator(atPath: args[3])?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".csv") }.sorted()
var sealed = 0
for (i, name) in files.enumerated() {
    let path = (args[3] as NSString).appendingPathComponent(name)
    let school = ((name as NSString).lastPathComponent as NSString).deletingPathExtension
    guard let c = credentials[school], let data = fm.contents(atPath: path) else { continue }
    let package = try SealedPackage.seal(Array(data), file: path, credentials: c)
    try package.write(to: URL(fileURLWithPath: (args[4] as NSString).appendingPathComponent(String(format: "p%06d.mpkg", i))))
    sealed += 1
}
print("sealed \(sealed) packages for \(credentials.count) schools")
