// Known answers for the digests, through the algorithm objects fetched once (crypto/algorithms.h), and the
// same answer from several threads at once, since every io thread shares those objects.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace paygate {
namespace {

TEST(Digests, KnownAnswers) {
  // FIPS 180-2 appendix B.1 and FIPS 180-1 appendix A.
  EXPECT_EQ(crypto::hex_encode(crypto::sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(crypto::hex_encode(crypto::sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  // RFC 4231 test case 1.
  EXPECT_EQ(crypto::hex_encode(crypto::hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Digests, SharedAlgorithmsGiveTheSameAnswerOnEveryThread) {
  std::vector<std::thread> threads;
  std::vector<std::string> answers(8);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&answers, i] {
      std::string last;
      for (int n = 0; n < 2000; ++n)
        last = crypto::hex_encode(crypto::hmac_sha256("key", crypto::sha256("abc")));
      answers[i] = last;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& answer : answers) EXPECT_EQ(answer, answers.front());
  EXPECT_EQ(answers.front(), crypto::hex_encode(crypto::hmac_sha256("key", crypto::sha256("abc"))));
}

}  // namespace
}  // namespace paygate
