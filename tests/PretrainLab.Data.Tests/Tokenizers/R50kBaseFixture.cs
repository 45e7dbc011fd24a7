using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

public sealed class R50kBaseFixture() : EncodingFixture("r50k_base", TiktokenEncoding.LoadR50kBase);
