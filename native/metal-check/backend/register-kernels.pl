#!/usr/bin/env perl
# Reads fa.metal after msl/rewrite.sh and writes it back line for line (so that clang's line numbers stay fa.metal's)
# for the emulated library: an explicit instantiation whose host name matches KEEP_RE or KEEP_PROMPT_RE (environment)
# and whose kernel type has a runner (kernels/fa_vec.cpp, kernels/fa_prompt.h: the code that maps an encoder's
# bindings to the kernel's parameters) becomes a registration, which instantiates it; the other instantiations are
# dropped (compiling all of them takes minutes); every function constant registers where it lives, so that the
# device can set it before a dispatch.
use strict;
use warnings;

# kernel type (fa.metal's typedef) -> runner template
my %runner = (flash_attn_ext_vec_t => "run_flash_attn_ext_vec");
# the prompt route (kernels/fa_prompt.h)
$runner{flash_attn_ext_t}               = "run_flash_attn_ext";
$runner{kernel_flash_attn_ext_kv_f16_t} = "run_flash_attn_ext_kv_f16";
# quantize.metal's cache writes and reads, misc.metal's Hadamard rotation (kernels/cache_runners.h)
$runner{$_} = "run_set_rows" for qw(set_rows_f_t set_rows_q32_t set_rows_qK_t);
$runner{$_} = "run_cpy" for qw(kernel_cpy_t cpy_f_q_t cpy_q_f_t);
$runner{kernel_fwht_t} = "run_fwht";

while (my $line = <STDIN>) {
    if ($line =~ m{^template /\*host_name "([^"]*)"\*/\s+kernel\s+(\w+)\s+(\w+<.*>);\s*$}) {
        my ($name, $type, $kernel) = ($1, $2, $3);
        my $keep = ($name =~ /$ENV{KEEP_RE}/ || ($ENV{KEEP_PROMPT_RE} && $name =~ /$ENV{KEEP_PROMPT_RE}/))
            && exists $runner{$type};
        print $keep ? "static msl_kernels::kernel_registrar register_$.(\"$name\", &$runner{$type}<&$kernel>);\n" : "\n";
    } elsif ($line =~ m{^template /\*host_name}) {
        print "\n";
    } elsif ($line =~ m{^static\s+\w+\s+(FC_\w+)\s*\[\[function_constant\((.*)\)\]\];\s*$}) {
        chomp $line;
        print "$line static msl_kernels::function_constant_registrar register_fc_$.($2, &$1, sizeof($1));\n";
    } else {
        print $line;
    }
}
