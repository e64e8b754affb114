// Counts the bytes allocated through operator new, to show that the decoder does not buffer by
// what a peer declares and that decoding a whole PUBLISH allocates nothing.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define FLEETMQ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLEETMQ_ASAN 1
#endif
#endif

namespace {
std::atomic<std::size_t> allocated_bytes{0};
std::atomic<std::size_t> allocations{0};
} // namespace

#if defined(FLEETMQ_ASAN)
// AddressSanitizer owns operator new; it reports every allocation to these hooks instead.
// Declared here as in <sanitizer/allocator_interface.h>, which GCC does not install.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*));

namespace {
void count_allocation(const volatile void*, std::size_t size) {
    allocated_bytes += size;
    ++allocations;
}
void ignore_free(const volatile void*) {}
const int hooks_installed =
    __sanitizer_install_malloc_and_free_hooks(count_allocation, ignore_free);
} // namespace
#else
// This file replaces operator new with malloc and operator delete with free, a matched pair that
// GCC cannot see through once it inlines them.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
    allocated_bytes += size;
    ++allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) {
        return p;
    }
    throw std::bad_alloc{};
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
#endif

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

TEST_CASE("the allocation counter sees allocations") {
    const auto before = allocated_bytes.load();
    auto held = std::make_unique<std::vector<char>>(5000);
    const auto counted = allocated_bytes.load() - before;
    CHECK(counted >= 5000);
    CHECK(held->size() == 5000);
}

TEST_CASE("a ~200 MB declared length allocates nothing up front") {
    // Remaining Length 200,000,000 = 0x0BEBC200 -> varint 80 84 af 5f.
    const bytes header = hex("30 80 84 af 5f");
    const bytes some_body(1024, 0x41);

    // Each measurement is taken before any CHECK, which may allocate itself.
    frame_decoder permissive; // the protocol's own limit: 200 MB is allowed
    auto before = allocated_bytes.load();
    const auto header_step = permissive.feed(header);
    const auto after_header = allocated_bytes.load() - before;
    const auto body_step = permissive.feed(some_body);
    const auto after_body = allocated_bytes.load() - before;
    CHECK(header_step.status == frame_status::need_more);
    CHECK(after_header == 0);
    CHECK(body_step.status == frame_status::need_more);
    // Buffered as it arrives: in proportion to the 1 KiB received, not to the 200 MB declared.
    CHECK(after_body <= 4 * some_body.size());
    CHECK(permissive.buffered_bytes() <= 4 * some_body.size());

    frame_decoder strict{1024 * 1024};
    const auto input = cat({header, some_body});
    before = allocated_bytes.load();
    const auto refused = strict.feed(input);
    const auto after_refusal = allocated_bytes.load() - before;
    CHECK(refused.status == frame_status::failed);
    CHECK(refused.error == reason_code::packet_too_large);
    CHECK(refused.consumed == header.size());
    CHECK(after_refusal == 0);
}

TEST_CASE("decoding a whole QoS 0 PUBLISH allocates nothing") {
    publish p;
    p.topic = "device/42/responses";
    p.payload = "0123456789abcdef0123456789abcdef";
    const auto wire = encode_ok(p, protocol_version::v5);
    frame_decoder decoder;
    packet out;
    int decoded = 0;
    const auto before = allocations.load();
    for (int i = 0; i < 100; ++i) {
        const auto step = decoder.feed(wire);
        if (step.status == frame_status::complete &&
            !decode_packet(step.frame, protocol_version::v5, out)) {
            ++decoded;
        }
    }
    const auto made = allocations.load() - before;
    CHECK(decoded == 100);
    CHECK(made == 0);
}
