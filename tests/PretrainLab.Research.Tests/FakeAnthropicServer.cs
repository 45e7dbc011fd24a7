using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace PretrainLab.Research.Tests;

/// <summary>
/// A stand-in for the Anthropic Messages API on 127.0.0.1: answers each <c>POST /v1/messages</c> with the next scripted
/// reply (a message with tool calls, an end of turn, or an error status) and records every request as received. A
/// plain HTTP/1.1 server on a <see cref="TcpListener"/>, keeping connections alive as the SDK's HttpClient expects.
/// </summary>
internal sealed class FakeAnthropicServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<Func<RecordedRequest, (int Status, string Body)>> _script = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RecordedRequest> _requests = [];
    private int _messages;

    public FakeAnthropicServer()
    {
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
                return _requests.ToList();
        }
    }

    /// <summary>A reply with these content blocks (tool calls when any block is a tool_use).</summary>
    public FakeAnthropicServer Reply(params object[] blocks) => Then(_ =>
    {
        var toolUse = blocks.Any(b => JsonSerializer.SerializeToElement(b).GetProperty("type").GetString() == "tool_use");
        var id = Interlocked.Increment(ref _messages);
        return (200, JsonSerializer.Serialize(new
        {
            id = $"msg_{id:D4}",
            type = "message",
            role = "assistant",
            model = "claude-test",
            content = blocks,
            stop_reason = toolUse ? "tool_use" : "end_turn",
            stop_sequence = (string?)null,
            usage = new { input_tokens = 1000 + id, output_tokens = 50 },
        }));
    });

    /// <summary>An API error with this status.</summary>
    public FakeAnthropicServer Fail(int status, string type, string message) =>
        Then(_ => (status, JsonSerializer.Serialize(new { type = "error", error = new { type, message } })));

    public FakeAnthropicServer Then(Func<RecordedRequest, (int Status, string Body)> reply)
    {
        lock (_gate)
            _script.Enqueue(reply);
        return this;
    }

    public static object ToolUse(string id, string name, object input) => new { type = "tool_use", id, name, input };

    public static object Text(string text) => new { type = "text", text };

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                while (await ReadRequestAsync(stream) is { } request)
                {
                    Func<RecordedRequest, (int, string)>? next;
                    lock (_gate)
                    {
                        _requests.Add(request);
                        _script.TryDequeue(out next);
                    }
                    var (status, body) = next?.Invoke(request) ?? (500, """{"type":"error","error":{"type":"api_error","message":"the test's script is exhausted"}}""");
                    var payload = Encoding.UTF8.GetBytes(body);
                    var head = $"HTTP/1.1 {status} {(HttpStatusCode)status}\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\nrequest-id: req_{_requests.Count}\r\nConnection: keep-alive\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                    await stream.WriteAsync(payload);
                    await stream.FlushAsync();
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var header = new List<byte>();
        var one = new byte[1];
        while (header.Count < 4 || header[^4] != '\r' || header[^3] != '\n' || header[^2] != '\r' || header[^1] != '\n')
        {
            if (await stream.ReadAsync(one) == 0)
                return null;
            header.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(header.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var parts = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        byte[] body;
        if (headers.TryGetValue("content-length", out var length))
        {
            body = new byte[int.Parse(length)];
            await stream.ReadExactlyAsync(body);
        }
        else if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked"))
        {
            var all = new List<byte>();
            while (true)
            {
                var sizeLine = await ReadLineAsync(stream);
                var size = Convert.ToInt32(sizeLine.Split(';')[0], 16);
                var chunk = new byte[size + 2];
                await stream.ReadExactlyAsync(chunk);
                if (size == 0)
                    break;
                all.AddRange(chunk.Take(size));
            }
            body = all.ToArray();
        }
        else
        {
            body = [];
        }
        return new RecordedRequest(parts[0], parts[1], headers, Encoding.UTF8.GetString(body));
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (line.Count < 2 || line[^2] != '\r' || line[^1] != '\n')
        {
            await stream.ReadExactlyAsync(one);
            line.Add(one[0]);
        }
        return Encoding.ASCII.GetString(line.ToArray(), 0, line.Count - 2);
    }
}

/// <summary>One request as the fake server received it.</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
