#include "report/family.h"

#include <gtest/gtest.h>

namespace honeyvt::report {
namespace {

using Tokens = std::vector<std::string>;

TEST(FamilyTokensTest, SplitsLowercasesAndDropsGenericTokens) {
  EXPECT_EQ(FamilyTokens("Worm.Win32.Rimecud"), Tokens{"rimecud"});
  EXPECT_EQ(FamilyTokens("Worm:Win32/Rimecud.B"), Tokens{"rimecud"});
  EXPECT_EQ(FamilyTokens("Net-Worm.Win32.Kido.ih"), Tokens{"conficker"});  // alias
  EXPECT_EQ(FamilyTokens("W32.Downadup.B"), Tokens{"conficker"});
  EXPECT_EQ(FamilyTokens("Win32/Conficker.worm!B"), Tokens{"conficker"});
  EXPECT_EQ(FamilyTokens("W32/Palevo.worm.gen"), Tokens{"rimecud"});
}

TEST(FamilyTokensTest, DropsShortNumericAndHexLookingTokens) {
  EXPECT_EQ(FamilyTokens("Trojan.DownLoader1.27100"), Tokens{});  // downloader1 -> generic
  EXPECT_EQ(FamilyTokens("Worm.Rimecud-1"), Tokens{"rimecud"});
  EXPECT_EQ(FamilyTokens("Trojan.Generic.5a3f09e"), Tokens{});
  EXPECT_EQ(FamilyTokens("Gen:Variant.Kazy.12345"), Tokens{});
  EXPECT_EQ(FamilyTokens("Suspicious file"), Tokens{});
  EXPECT_EQ(FamilyTokens("HEUR:Trojan.Win32.Generic"), Tokens{});
  EXPECT_EQ(FamilyTokens("ML.Attribute.HighConfidence"), Tokens{});
  EXPECT_EQ(FamilyTokens("Virus.Win32.Virut.ce"), Tokens{"virut"});
}

TEST(FamilyTokensTest, OneVotePerTokenPerName) {
  EXPECT_EQ(FamilyTokens("Allaple.Allaple.A"), Tokens{"allaple"});
}

TEST(FamilyTokensTest, HostileNamesDoNotCrash) {
  EXPECT_EQ(FamilyTokens(""), Tokens{});
  static constexpr char kHostile[] = "\0\xff\xfe'; DROP TABLE x;--";
  EXPECT_EQ(FamilyTokens(std::string(kHostile, sizeof kHostile - 1)), (Tokens{"drop", "table"}));
  EXPECT_EQ(FamilyTokens(std::string(10000, '.')), Tokens{});
}

TEST(FamilyLabelerTest, ConfickerAliasesVoteTogether) {
  FamilyLabeler labeler;
  FamilyLabel l = labeler.Label({"Net-Worm.Win32.Kido.ih", "Worm:Win32/Conficker.B",
                                 "W32.Downadup.B", "Trojan.Generic.123456", "Win32/Conficker.AA"});
  EXPECT_EQ(l.family, "conficker");
  EXPECT_EQ(l.votes, 4);
}

TEST(FamilyLabelerTest, RimecudFromTheFixtureNames) {
  FamilyLabeler labeler;
  FamilyLabel l = labeler.Label({"Worm.Win32.Rimecud", "Trojan.DownLoader1.27100",
                                 "Worm.Win32.Rimecud", "Worm:Win32/Rimecud.B", "Suspicious file"});
  EXPECT_EQ(l.family, "rimecud");
  EXPECT_EQ(l.votes, 3);
}

TEST(FamilyLabelerTest, SingletonWhenNoTokenHasTwoVotes) {
  FamilyLabeler labeler;
  EXPECT_EQ(labeler.Label({"Worm.Win32.Rimecud", "Trojan.Generic.1"}).family, kSingleton);
  EXPECT_EQ(labeler.Label({"Worm.Win32.Rimecud", "Trojan.Generic.1"}).votes, 1);
  EXPECT_EQ(labeler.Label({}).family, kSingleton);
  EXPECT_EQ(labeler.Label({}).votes, 0);
  EXPECT_EQ(labeler.Label({"Trojan.Generic.1", "Gen:Variant.Zusy.2", "Suspicious"}).family,
            kSingleton);
}

TEST(FamilyLabelerTest, TiesGoToTheSmallestToken) {
  FamilyLabeler labeler;
  FamilyLabel l = labeler.Label({"W32.Virut.A", "W32.Sality.A", "Win32/Sality.B", "Virus.Virut.c"});
  EXPECT_EQ(l.family, "sality");
  EXPECT_EQ(l.votes, 2);
  // Order of the names does not matter.
  EXPECT_EQ(
      labeler.Label({"Virus.Virut.c", "Win32/Sality.B", "W32.Virut.A", "W32.Sality.A"}).family,
      "sality");
}

TEST(FamilyLabelerTest, CachesTokensPerName) {
  FamilyLabeler labeler;
  const auto& a = labeler.Tokens("Worm.Win32.Rimecud");
  const auto& b = labeler.Tokens("Worm.Win32.Rimecud");
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(labeler.Tokens("Worm:Win32/Rimecud.B"), a);
}

TEST(FamilyTokensTest, GenericListCoversTheBriefsTokens) {
  for (const char* t : {"trojan",  "generic",    "malware",   "win32", "w32",         "heur",
                        "agent",   "variant",    "virus",     "worm",  "backdoor",    "downloader",
                        "dropper", "suspicious", "malicious", "gen",   "application", "riskware",
                        "pua",     "unsafe",     "ai",        "score", "ml"}) {
    EXPECT_TRUE(IsGenericToken(t)) << t;
  }
  EXPECT_FALSE(IsGenericToken("conficker"));
}

}  // namespace
}  // namespace honeyvt::report
