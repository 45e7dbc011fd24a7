using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PretrainLab.Engine.Kernels;

/// <summary>
/// Copies a block of a GEMM operand into consecutive micro-panels, the layout the micro-kernels
/// stream: panel q holds rows [q·w, q·w + w) of the block for every depth step p, at
/// <c>dst[q·w·depth + p·w + r]</c>. Rows past the block's end are zero, so edge tiles need no
/// special case in the kernel. "Rows" are M for A and N for B; the depth is K.
/// </summary>
internal static unsafe class PanelPacking
{
    /// <summary>
    /// Packs <paramref name="rows"/> x <paramref name="depth"/> elements stored row by row, element
    /// (r, p) at <c>src[r·ld + p]</c> (A as [M, K], or B as [N, K]): a transpose, done in 8 x 8 and 4 x 4
    /// register blocks where AVX is available.
    /// </summary>
    public static void PackTransposing(float* src, long ld, int rows, int depth, int width, float* dst)
    {
        for (var r0 = 0; r0 < rows; r0 += width)
            TransposePanel(src + r0 * ld, ld, Math.Min(width, rows - r0), depth, width, dst + (long)r0 * depth);
    }

    /// <summary>
    /// Packs <paramref name="rows"/> x <paramref name="depth"/> elements stored depth step by depth
    /// step, element (r, p) at <c>src[p·ld + r]</c> (A as [K, M], or B as [K, N]): a strided copy.
    /// </summary>
    public static void PackCopying(float* src, long ld, int rows, int depth, int width, float* dst)
    {
        // Row by row of the source, so that it is read sequentially once; each panel receives one
        // run of `width` floats per depth step.
        var fullRows = rows - rows % width;
        for (var p = 0; p < depth; p++)
        {
            var s = src + p * ld;
            var d = dst + p * width;
            for (var r0 = 0; r0 < fullRows; r0 += width, d += (long)width * depth)
            {
                var r = 0;
                for (; r + 8 <= width; r += 8)
                    Vector256.Store(Vector256.Load(s + r0 + r), d + r);
                for (; r + 4 <= width; r += 4)
                    Vector128.Store(Vector128.Load(s + r0 + r), d + r);
                for (; r < width; r++)
                    d[r] = s[r0 + r];
            }
            if (fullRows < rows)
                CopyRun(s + fullRows, rows - fullRows, width, d);
        }
    }

    /// <summary>
    /// Writes <c>dst[p·ldd + r] = src[r·lds + p]</c> for r &lt; <paramref name="rows"/> and
    /// p &lt; <paramref name="depth"/>: a plain transpose, in 8 x 8 register blocks where AVX is available.
    /// </summary>
    public static void Transpose(float* src, long lds, int rows, int depth, float* dst, long ldd)
    {
        var r = 0;
        if (Avx.IsSupported)
        {
            for (; r + 8 <= rows; r += 8)
            {
                var p = 0;
                for (; p + 8 <= depth; p += 8)
                    Transpose8x8(src + r * lds + p, lds, dst + p * ldd + r, ldd);
                TransposeScalar(src + r * lds, lds, 8, p, depth, ldd, dst + r);
            }
        }
        TransposeScalar(src + r * lds, lds, rows - r, 0, depth, ldd, dst + r);
    }

    // d[0, valid) = s[0, valid), d[valid, width) = 0.
    private static void CopyRun(float* s, int valid, int width, float* d)
    {
        var r = 0;
        for (; r + 8 <= valid; r += 8)
            Vector256.Store(Vector256.Load(s + r), d + r);
        for (; r + 4 <= valid; r += 4)
            Vector128.Store(Vector128.Load(s + r), d + r);
        for (; r < valid; r++)
            d[r] = s[r];
        for (; r < width; r++)
            d[r] = 0f;
    }

    private static void TransposePanel(float* src, long ld, int valid, int depth, int width, float* dst)
    {
        var r = 0;
        if (Avx.IsSupported)
        {
            for (; r + 8 <= valid; r += 8)
            {
                var p = 0;
                for (; p + 8 <= depth; p += 8)
                    Transpose8x8(src + r * ld + p, ld, dst + p * width + r, width);
                TransposeScalar(src + r * ld, ld, 8, p, depth, width, dst + r);
            }
            for (; r + 4 <= valid; r += 4)
            {
                var p = 0;
                for (; p + 4 <= depth; p += 4)
                    Transpose4x4(src + r * ld + p, ld, dst + p * width + r, width);
                TransposeScalar(src + r * ld, ld, 4, p, depth, width, dst + r);
            }
        }
        TransposeScalar(src + r * ld, ld, valid - r, 0, depth, width, dst + r);
        for (var p = 0; p < depth; p++)
        {
            for (var z = valid; z < width; z++)
                dst[p * width + z] = 0f;
        }
    }

    // dst[p·width + i] = src[i·ld + p] for i < count and p in [from, depth).
    private static void TransposeScalar(float* src, long ld, int count, int from, int depth, long width, float* dst)
    {
        for (var i = 0; i < count; i++)
        {
            for (var p = from; p < depth; p++)
                dst[p * width + i] = src[i * ld + p];
        }
    }

    // Rows i < 8 of src (stride ld) become columns of dst (stride width): unpack pairs of rows, shuffle
    // pairs of pairs, then swap 128-bit halves.
    private static void Transpose8x8(float* src, long ld, float* dst, long width)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + 2 * ld);
        var r3 = Avx.LoadVector256(src + 3 * ld);
        var r4 = Avx.LoadVector256(src + 4 * ld);
        var r5 = Avx.LoadVector256(src + 5 * ld);
        var r6 = Avx.LoadVector256(src + 6 * ld);
        var r7 = Avx.LoadVector256(src + 7 * ld);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + width, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * width, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * width, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * width, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * width, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * width, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * width, Avx.Permute2x128(u3, u7, 0x31));
    }

    private static void Transpose4x4(float* src, long ld, float* dst, int width)
    {
        var r0 = Sse.LoadVector128(src);
        var r1 = Sse.LoadVector128(src + ld);
        var r2 = Sse.LoadVector128(src + 2 * ld);
        var r3 = Sse.LoadVector128(src + 3 * ld);
        var t0 = Sse.UnpackLow(r0, r1);
        var t1 = Sse.UnpackHigh(r0, r1);
        var t2 = Sse.UnpackLow(r2, r3);
        var t3 = Sse.UnpackHigh(r2, r3);
        Sse.Store(dst, Sse.MoveLowToHigh(t0, t2));
        Sse.Store(dst + width, Sse.MoveHighToLow(t2, t0));
        Sse.Store(dst + 2 * width, Sse.MoveLowToHigh(t1, t3));
        Sse.Store(dst + 3 * width, Sse.MoveHighToLow(t3, t1));
    }
}
