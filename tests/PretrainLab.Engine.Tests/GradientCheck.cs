using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Tests;

/// <summary>
/// Central finite differences against analytic gradients. The ops run in float32, so the loss is a
/// double sum of float outputs: with step h the rounding error of a difference is about
/// 1e-7·|L|/h, and the truncation error about h²·|f'''|. The checks below use h = 1e-2 on O(1)
/// inputs (both errors near 1e-4) and accept an element when |num − ana| ≤ 2e-3 + 2e-2·|ana|, and the
/// whole gradient when ‖num − ana‖ ≤ 1e-2·‖ana‖; a wrong formula misses both by orders of magnitude.
/// </summary>
internal static class GradientCheck
{
    public static void Assert(Func<double> loss, Tensor values, float[] analytic, string what, float h = 1e-2f)
    {
        var span = values.Span;
        double diff2 = 0, ana2 = 0;
        for (var i = 0; i < span.Length; i++)
        {
            var saved = span[i];
            span[i] = saved + h;
            var plus = loss();
            span[i] = saved - h;
            var minus = loss();
            span[i] = saved;
            var numeric = (plus - minus) / (2.0 * h);
            var a = analytic[i];
            Xunit.Assert.True(Math.Abs(numeric - a) <= 2e-3 + 2e-2 * Math.Abs(a),
                $"{what}[{i}]: analytic {a:G6}, numeric {numeric:G6}");
            diff2 += (numeric - a) * (numeric - a);
            ana2 += (double)a * a;
        }
        Xunit.Assert.True(Math.Sqrt(diff2) <= 1e-2 * Math.Sqrt(ana2) + 1e-6,
            $"{what}: relative error {Math.Sqrt(diff2 / Math.Max(ana2, 1e-30)):G3}");
        Xunit.Assert.True(ana2 > 0, $"{what}: gradient is all zero, the check proves nothing");
    }

    public static void FillRandom(Span<float> x, ulong seed, float scale = 1f)
    {
        var rng = new Rng(seed);
        for (var i = 0; i < x.Length; i++)
            x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
    }

    /// <summary>Σ y·r in double, the scalar whose gradient wrt y is r.</summary>
    public static double Project(Tensor y, Tensor r)
    {
        double s = 0;
        var ys = y.Span;
        var rs = r.Span;
        for (var i = 0; i < ys.Length; i++)
            s += (double)ys[i] * rs[i];
        return s;
    }
}
