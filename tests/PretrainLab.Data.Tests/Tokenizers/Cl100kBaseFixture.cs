using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

public sealed class Cl100kBaseFixture() : EncodingFixture("cl100k_base", TiktokenEncoding.LoadCl100kBase);
