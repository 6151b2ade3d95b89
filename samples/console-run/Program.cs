// Reports who it runs as and whether the data folder the Dockerfile prepared with RUN steps is usable.
var dataDirectory = Environment.GetEnvironmentVariable("DATA_DIR") ?? "/data";
var marker = Path.Combine(dataDirectory, "last-run.txt");
File.WriteAllText(marker, DateTimeOffset.UtcNow.ToString("O") + Environment.NewLine);

Console.WriteLine($"Hello from console-run as {Environment.UserName}");
Console.WriteLine($"data folder {dataDirectory} is writable: {File.Exists(marker)}");
Console.WriteLine($"build note: {File.ReadAllText("/app/build-note.txt").Trim()}");
