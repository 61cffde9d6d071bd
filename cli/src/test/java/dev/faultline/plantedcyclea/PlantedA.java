package dev.faultline.plantedcyclea;

import dev.faultline.plantedcycleb.PlantedB;

/** Half of a planted package cycle (ArchitectureTest shows the cycle rule fails on it). */
public class PlantedA {
    PlantedB other;
}
