var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => Environment.GetEnvironmentVariable("GREETING") ?? "Hello");
app.Run();
