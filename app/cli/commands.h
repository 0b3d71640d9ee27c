#pragma once
// The `hearth` subcommands. Each returns the process exit code; errors are thrown as
// hearth::Error and turned into a message and exit code by main().
namespace hearth::cli {

int cmd_run(int argc, char** argv);
int cmd_chat(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_perplexity(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_synth(int argc, char** argv);
int cmd_serve(int argc, char** argv);

}  // namespace hearth::cli
