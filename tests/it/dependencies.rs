//! Dependencies: monitors and tasks name the monitors they depend on (`upstreams`); cycles,
//! unknown and other organizations' monitors are refused with a 422 naming `upstreams`.

mod storing;
mod suppression;
