using System.Text;
using System.Text.Json.Serialization;
using PretrainLab.Data.Corpora;

namespace PretrainLab.Data.Cleaning;

/// <summary>What one pipeline stage did: documents and bytes in and out, and what it removed, by reason, with examples.</summary>
public sealed class StageReport
{
    /// <summary>Examples kept per reason.</summary>
    public const int ExamplesPerReason = 3;

    private const int ExcerptChars = 160;

    /// <summary>The stage: <c>exact_dedup</c>, <c>quality_filter</c>, <c>near_dedup</c>.</summary>
    [JsonPropertyName("stage")]
    public required string Stage { get; init; }

    /// <summary>Whether the stage ran; a disabled stage passes everything through.</summary>
    [JsonPropertyName("enabled")]
    public bool Enabled { get; init; } = true;

    /// <summary>The stage's settings and anything else worth knowing about its run, in words.</summary>
    [JsonPropertyName("note")]
    public string? Note { get; set; }

    /// <summary>Documents that entered the stage.</summary>
    [JsonPropertyName("documents_in")]
    public long DocumentsIn { get; set; }

    /// <summary>UTF-8 bytes that entered the stage.</summary>
    [JsonPropertyName("bytes_in")]
    public long BytesIn { get; set; }

    /// <summary>Documents the stage kept.</summary>
    [JsonPropertyName("documents_out")]
    public long DocumentsOut { get; set; }

    /// <summary>UTF-8 bytes the stage kept.</summary>
    [JsonPropertyName("bytes_out")]
    public long BytesOut { get; set; }

    /// <summary>What was removed, by reason, in the order the reasons first occurred.</summary>
    [JsonPropertyName("removed")]
    public List<StageReason> Removed { get; init; } = [];

    /// <summary>Counts a document kept.</summary>
    public void Keep(long bytes)
    {
        DocumentsIn++;
        BytesIn += bytes;
        DocumentsOut++;
        BytesOut += bytes;
    }

    /// <summary>Counts a document removed for <paramref name="reason"/>, keeping it as an example while there are few.</summary>
    public void Remove(string reason, Document document, long bytes, string detail)
    {
        ArgumentNullException.ThrowIfNull(document);
        DocumentsIn++;
        BytesIn += bytes;
        var tally = Removed.Find(r => r.Reason == reason);
        if (tally is null)
        {
            tally = new StageReason { Reason = reason };
            Removed.Add(tally);
        }
        tally.Documents++;
        tally.Bytes += bytes;
        if (tally.Examples.Count < ExamplesPerReason)
            tally.Examples.Add(new ReasonExample { Source = document.Source, Excerpt = Excerpt(document.Text), Detail = detail });
    }

    private static string Excerpt(string text)
    {
        var excerpt = new StringBuilder(ExcerptChars + 3);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = excerpt.Length > 0;
                continue;
            }
            if (space)
                excerpt.Append(' ');
            space = false;
            excerpt.Append(c);
            if (excerpt.Length >= ExcerptChars)
                return excerpt.Append("...").ToString();
        }
        return excerpt.ToString();
    }
}
