"""pyserial URL handlers of the simulators (`sim://`), registered by hw.serialport."""
