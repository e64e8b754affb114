#include <fleetmq/client/connection_error.hpp>

#include <catch2/catch.hpp>

using fleetmq::client::hint_for;

TEST_CASE("the common-errors table answers what devices see") {
    CHECK(hint_for("certificate verify failed: unable to get local issuer certificate")
              .find("not in the trust store") != std::string::npos);
    CHECK(hint_for("tlsv13 alert certificate required").find("peer did not return a certificate") !=
          std::string::npos);
    CHECK(hint_for("sslv3 alert certificate expired").find("has expired") != std::string::npos);
    CHECK(hint_for("tlsv1 alert unknown ca").find("vendor intermediate") != std::string::npos);
    CHECK(hint_for("certificate verify failed: hostname mismatch").find("broker_address") !=
          std::string::npos);
    CHECK(hint_for("cannot connect to x:8883: Connection refused").find("is the broker running") !=
          std::string::npos);
    CHECK(hint_for("CONNACK refused: Not authorized").find("client id must be the device id") !=
          std::string::npos);
    CHECK(hint_for("something nobody has seen").empty());
}
