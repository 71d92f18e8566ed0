// ─── Replace this file's readSensor() with your device's real measurement. ───────────────────────
import type { Device, Observation, Reference } from '@medplum/fhirtypes';

export interface Reading {
  /** Body temperature in degrees Celsius. */
  celsius: number;
  takenAt: Date;
}

/**
 * STUB: simulates a body temperature between 36.1 and 37.5 °C.
 * Read your serial port, GPIO pin or vendor SDK here instead.
 */
export async function readSensor(): Promise<Reading> {
  return { celsius: Math.round((36.1 + Math.random() * 1.4) * 10) / 10, takenAt: new Date() };
}

/**
 * A vital-signs Observation: LOINC 8310-5 "Body temperature", value in UCUM `Cel`.
 * If you measure something else, change the code and unit here too.
 */
export function toObservation(reading: Reading, device?: Reference<Device>): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/observation-category',
            code: 'vital-signs',
            display: 'Vital Signs',
          },
        ],
      },
    ],
    code: {
      coding: [{ system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' }],
      text: 'Body temperature',
    },
    effectiveDateTime: reading.takenAt.toISOString(),
    valueQuantity: { value: reading.celsius, unit: 'Cel', system: 'http://unitsofmeasure.org', code: 'Cel' },
    ...(device && { device }),
  };
}
