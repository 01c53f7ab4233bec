// swift-tools-version:6.2
// The benchmarks are a package of their own so the test build stays lean. Run them from this folder:
//   swift package --disable-sandbox benchmark
import PackageDescription

let package = Package(
    name: "doppel-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "doppel", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "TwinModelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TwinModel", package: "doppel"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/TwinModelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
